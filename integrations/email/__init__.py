"""E-mail: notices sent by SMTP (``HARK_SMTP_URL``)."""
