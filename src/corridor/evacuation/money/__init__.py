"""Budget lines, expenses, receipts and the donor report."""
