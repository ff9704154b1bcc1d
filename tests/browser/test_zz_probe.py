import pytest
from playwright.sync_api import expect
from tests.browser.test_staff_flows import sign_in, heading

JS = """() => { const out = []; for (const el of document.querySelectorAll('body *')) { const r = el.getBoundingClientRect();
 if (r.right > window.innerWidth + 1) out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.left) + '-' + Math.round(r.right) + ' ' + (el.innerText||'').slice(0,40).replace(/\\n/g,' | ')); }
 return [document.documentElement.scrollWidth, out.slice(0, 15)]; }"""

@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_probe(page, live_server, judy):
    sign_in(page, live_server, judy)
    page.get_by_role("link", name="Audit log").click()
    expect(heading(page)).to_have_text("Audit log")
    print(page.evaluate(JS))
    page.screenshot(path="/tmp/a1.png", full_page=True)
    print(page.evaluate(JS))
    page.screenshot(path="/tmp/a2.png")
    page.get_by_role("link", name="My account").click()
    expect(heading(page)).to_have_text("My account")
    print(page.evaluate(JS))
    sizes = page.evaluate("""() => [...document.querySelectorAll('button, a, input')].map(e => { const r = e.getBoundingClientRect(); return (e.innerText || e.name || e.type) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height); })""")
    print(sizes)
