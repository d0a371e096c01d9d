"""E-mail to staff (the reminders' digest) through the SMTP server of MAIL_SERVER: plain text,
STARTTLS and a login when the settings ask for them, a timeout on every step. An error is
raised to the caller, which tries again later."""

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


class EmailError(Exception):
    """The SMTP server could not be reached or refused the message."""


def send_email(config, to: str, subject: str, body: str) -> None:
    if not config["MAIL_SERVER"]:
        raise EmailError("MAIL_SERVER is not set")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config["MAIL_FROM"], to, subject
    message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid()
    message.set_content(body)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"],
                          timeout=config["MAIL_TIMEOUT_SECONDS"]) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise EmailError(f"{type(error).__name__}: {error}"[:300]) from error
