"""platform auth: passwords (argon2), server-side sessions and API tokens (stored hashed), CSRF, login throttling and
lockout, roles and division scope, and the access rule every route declares."""
