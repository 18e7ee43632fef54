#!/usr/bin/env python3
"""Python's smtplib sending to mailwire-smtpd: plain, STARTTLS, AUTH (PLAIN, and LOGIN with an
initial response), several recipients with one refused (over --max-recipients: 452 4.5.3),
SMTPUTF8, and LMTP (smtplib.LMTP, one reply per recipient); deliveries checked byte for byte."""
import smtplib
import ssl

import interop

a = interop.args(__doc__)
c = interop.Checker("smtplib")
users = {"ann": "pw-ann"}

with interop.Smtpd(a.bin, a.work, "plain", extra=["--max-recipients", "3"]) as s:
    m1 = interop.message("smtplib plain")
    m2 = interop.message("smtplib four rcpts")
    m3 = "From: Jörg <jörg@bücher.example>\r\nTo: ann@example.org\r\nSubject: Grüße\r\n\r\nGrüße!\r\n".encode()
    with smtplib.SMTP("127.0.0.1", s.port, local_hostname="client.test") as cl:
        c.eq("plain: refused", cl.sendmail("ann@example.org", ["bob@example.com"], m1), {})
        refused = cl.sendmail("ann@example.org", ["r1@example.com", "r2@example.com", "r3@example.com",
                                                  "r4@example.com"], m2)
        c.eq("four recipients: the fourth refused with 452 4.5.3", list(refused), ["r4@example.com"])
        if refused:
            c.eq("four recipients: reply", refused["r4@example.com"][0], 452)
            c.true("four recipients: enhanced code", refused["r4@example.com"][1].startswith(b"4.5.3"))
        c.true("SMTPUTF8 offered", cl.has_extn("smtputf8"))
        c.eq("SMTPUTF8: refused", cl.sendmail("jörg@bücher.example", ["ann@example.org"], m3,
                                              mail_options=["SMTPUTF8"]), {})
        code, _ = cl.docmd("NOOP")
        c.eq("NOOP", code, 250)
    msgs = s.messages(wait_for=3)
    by_subject = {}
    for m in msgs:
        rp, helo, proto, rcpt, body = interop.split_trace(m)
        by_subject[body.split(b"Subject: ")[1].split(b"\r\n")[0]] = (rp, helo, proto, rcpt)
    c.eq("plain: trace", by_subject.get(b"smtplib plain"),
         ("<ann@example.org>", "client.test ([127.0.0.1])", "ESMTP", "<bob@example.com>"))
    c.eq("four recipients: no 'for' with several recipients", by_subject.get(b"smtplib four rcpts"),
         ("<ann@example.org>", "client.test ([127.0.0.1])", "ESMTP", None))
    c.eq("SMTPUTF8: trace", by_subject.get("Grüße".encode()),
         ("<jörg@bücher.example>", "client.test ([127.0.0.1])", "ESMTP", "<ann@example.org>"))
    c.delivered("plain", s, [m1, m2, m3])

ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
with interop.Smtpd(a.bin, a.work, "starttls", tls=True, users=users) as s:
    m1 = interop.message("smtplib starttls")
    m2 = interop.message("smtplib login plain")
    m3 = interop.message("smtplib login LOGIN")
    with smtplib.SMTP("127.0.0.1", s.port) as cl:
        cl.ehlo()
        c.true("STARTTLS offered", cl.has_extn("starttls"))
        c.true("no AUTH before TLS", not cl.has_extn("auth"))
        code, _ = cl.starttls(context=ctx)
        c.eq("STARTTLS: 220", code, 220)
        cl.ehlo()
        c.true("AUTH after TLS", cl.has_extn("auth") and "PLAIN" in cl.esmtp_features["auth"])
        c.eq("starttls: refused", cl.sendmail("ann@example.org", ["bob@example.com"], m1), {})
    with smtplib.SMTP("127.0.0.1", s.port) as cl:
        cl.starttls(context=ctx)
        try:
            cl.login("ann", "wrong")
            c.true("wrong password refused", False)
        except smtplib.SMTPAuthenticationError as e:
            c.eq("wrong password: 535", e.smtp_code, 535)
        code, _ = cl.login("ann", "pw-ann")  # PLAIN with an initial response
        c.eq("login (PLAIN): 235", code, 235)
        c.eq("login PLAIN: refused", cl.sendmail("ann@example.org", ["bob@example.com"], m2), {})
    with smtplib.SMTP("127.0.0.1", s.port) as cl:
        cl.starttls(context=ctx)
        cl.ehlo()
        cl.user, cl.password = "ann", "pw-ann"
        code, _ = cl.auth("LOGIN", cl.auth_login)  # "AUTH LOGIN <user>" then 334 Password
        c.eq("AUTH LOGIN with initial response: 235", code, 235)
        c.eq("login LOGIN: refused", cl.sendmail("ann@example.org", ["bob@example.com"], m3), {})
    protos = sorted(interop.split_trace(m)[2] for m in s.messages(wait_for=3))
    c.eq("protocols", protos, ["ESMTPS", "ESMTPSA", "ESMTPSA"])
    c.delivered("STARTTLS/AUTH", s, [m1, m2, m3], sender="<ann@example.org>", rcpt="<bob@example.com>")

with interop.Smtpd(a.bin, a.work, "lmtp", extra=["--lmtp"]) as s:
    m = interop.message("smtplib lmtp")
    with smtplib.LMTP("127.0.0.1", s.port) as cl:
        c.eq("LMTP: refused", cl.sendmail("ann@example.org", ["a@example.com", "b@example.com"], m), {})
        # smtplib.LMTP reads only the first per-recipient reply after the data (its data() is
        # SMTP's); the second recipient's reply is still due (RFC 2033 section 4.2).
        c.eq("LMTP: the second recipient's reply", cl.getreply(), (250, b"2.0.0 OK"))
    c.delivered("LMTP: one file per transaction", s, [m], protocol="LMTP", rcpt=None)

c.finish()
