"""Check-in schedules, check-ins and the dead man's switch."""
