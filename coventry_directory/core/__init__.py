"""Core: models, the store (the only SQL), search, eligibility, schedules, places. No Qt, no reportlab."""
