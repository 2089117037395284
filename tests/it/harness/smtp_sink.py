# A real SMTP server for the tests: aiosmtpd on 127.0.0.1, port given as argv[1],
# writing each message it accepts to argv[2] as one JSON file: the envelope, the headers,
# the decoded text and HTML parts and the raw message. Prints "ready" once listening.
import json, os, sys, time, email, email.policy
from aiosmtpd.controller import Controller

port, out = int(sys.argv[1]), sys.argv[2]
counter = [0]

class Handler:
    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        parts = {}
        for part in msg.walk():
            kind = part.get_content_type()
            if kind in ("text/plain", "text/html") and kind not in parts:
                parts[kind] = part.get_content()
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": [[k, str(v)] for k, v in msg.items()],
            "content_type": msg.get_content_type(),
            "text": parts.get("text/plain"),
            "html": parts.get("text/html"),
            "raw": raw.decode("utf-8", "replace"),
        }
        counter[0] += 1
        name = os.path.join(out, "%06d.json" % counter[0])
        with open(name + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(name + ".tmp", name)
        return "250 OK"

controller = Controller(Handler(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
