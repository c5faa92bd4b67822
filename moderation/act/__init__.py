"""Act: carry out a plan. Executors (one per action type) turn actions into durable rows; the outbox performs
platform calls with retries; follow-ups fire later; undo reverses what automation did."""
