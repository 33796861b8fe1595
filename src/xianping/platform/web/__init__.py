"""platform web: the JSON API and the pages of the platform, mounted into the dashboard app by `mount.mount`."""
