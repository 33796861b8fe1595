"""One file per page (or group of pages); each exposes `router(dash, templates)`."""
