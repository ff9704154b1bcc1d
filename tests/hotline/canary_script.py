"""The hotline canary's real run: one person and one operator, against an on-disk installation.

Run by tests/hotline/test_canary.py as `python tests/hotline/canary_script.py DATA_DIR
LOG_FILE` (by path, not with -m: importing the tests package needs Django set up), after
`corridor init`, with DJANGO_SETTINGS_MODULE=corridor.settings and CORRIDOR_DATA_DIR=DATA_DIR. The
canary texts come in the CANARIES environment variable (JSON), the photo with its
EXIF on stdin, so that nothing the test plants is ever written to a file by the test
itself. The last line of stdout is `CANARY-RESULT {json}`: what the run saw.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import sys
from io import BytesIO
from typing import Any

RESULT_PREFIX = "CANARY-RESULT "


def run(canaries: dict[str, str], photo: bytes, keyholder: str, password: str) -> dict[str, Any]:
    from django.core.management import call_command
    from django.test import Client

    from corridor.accounts.models import User
    from corridor.accounts.services import unwrap_user_key
    from corridor.hotline import keys as thread_keys
    from corridor.hotline import reading, services
    from corridor.hotline.models import Attachment, Thread

    # What `corridor serve` does first: templates need the static files' manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    result: dict[str, Any] = {}

    # The person writes for the first time.
    applicant = Client(HTTP_HOST="localhost")
    result["landing_status"] = applicant.get("/ru/").status_code
    upload = BytesIO(photo)
    upload.name = canaries["file_name"]
    sent = applicant.post(
        "/ru/request/",
        {
            "in_danger_now": "yes",
            "region": "RU-CE",
            "threatened_by": ["relatives"],
            "outed_to_family": "yes",
            "has_internal_passport": "no",
            "has_foreign_passport": "no",
            "message": canaries["message"],
            "safe_contact": canaries["safe_contact"],
            "photos": [upload],
            "website": "",
        },
    )
    result["request_status"] = sent.status_code
    match = re.search(r'<p class="codename[^"]*"[^>]*>\s*([\d ]{24})\s*</p>', sent.content.decode())
    codename = match.group(1) if match else ""
    result["codename"] = codename

    # The operator reads, replies and leaves a note.
    keeper = User.objects.get(username=keyholder)
    private = unwrap_user_key(keeper, password)
    thread = Thread.objects.get()
    view = reading.thread_for_staff(user=keeper, user_private_key=private, thread=thread)
    first = view.messages[0]
    result["staff_saw_message"] = first.text == canaries["message"]
    result["staff_saw_safe_contact"] = view.triage.safe_contact == canaries["safe_contact"]
    result["staff_saw_file_name"] = [a.name for a in first.attachments] == [canaries["file_name"]]
    result["original_hash_matches"] = [a.sha256 for a in first.attachments] == [
        hashlib.sha256(photo).hexdigest()
    ]
    services.post_reply(operator=keeper, user_private_key=private, thread=thread, text=canaries["reply"])
    services.add_note(operator=keeper, user_private_key=private, thread=thread, text=canaries["note"])
    opened = thread_keys.thread_keys_for_staff(
        user=keeper, user_private_key=private, thread=thread, purpose="file"
    )
    copy, copy_type = reading.attachment_view_copy(
        conversation_key=opened.conversation, attachment=Attachment.objects.get()
    )
    result["view_copy"] = base64.b64encode(copy).decode()
    result["view_copy_type"] = copy_type

    # The person comes back with the codename, reads the answer and writes again.
    returning = Client(HTTP_HOST="localhost")
    entered = returning.post("/ru/thread/", {"codename": codename})
    result["enter_status"] = entered.status_code
    page = returning.get("/ru/thread/messages/").content.decode()
    result["applicant_saw_reply"] = canaries["reply"] in page
    result["applicant_saw_note"] = canaries["note"] in page
    result["write_status"] = returning.post(
        "/ru/thread/write/", {"message": canaries["second_message"]}
    ).status_code
    page = returning.get("/ru/thread/messages/").content.decode()
    result["applicant_saw_second_message"] = canaries["second_message"] in page
    result["leave_status"] = returning.post("/ru/thread/leave/").status_code
    return result


def main() -> None:
    data_dir, log_file = sys.argv[1], sys.argv[2]
    assert os.environ["CORRIDOR_DATA_DIR"] == data_dir
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "corridor.settings"
    canaries = json.loads(os.environ.pop("CANARIES"))
    password = os.environ.pop("CANARY_KEYHOLDER_PASSWORD")
    photo = sys.stdin.buffer.read()

    import django

    django.setup()
    # Everything that is logged, at every level, also goes to the file the test reads.
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.setLevel(logging.DEBUG)
    for name in ("", "django.security"):
        logging.getLogger(name).addHandler(handler)
    logging.getLogger().setLevel(logging.DEBUG)

    result = run(canaries, photo, os.environ["CANARY_KEYHOLDER"], password)
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
