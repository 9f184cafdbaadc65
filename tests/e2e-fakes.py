#!/usr/bin/env python3
"""Fakes for the systemd end-to-end test, on the host's loopback: a site whose status is
read from DIR/status on every request, and a Bot API that appends every sendMessage body
to DIR/sent.jsonl and serves each line of DIR/commands as a message from Ann (user 42,
in her private chat) to getUpdates, from the offset asked. Prints the two ports; runs
until stdin closes."""
import http.server
import json
import pathlib
import sys
import threading

state = pathlib.Path(sys.argv[1])


class Site(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        status = int((state / "status").read_text().strip() or 200)
        self.send_response(status)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class Bot(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        method = self.path.rsplit("/", 1)[-1]
        if method == "sendMessage":
            with open(state / "sent.jsonl", "ab") as f:
                f.write(body.replace(b"\n", b" ") + b"\n")
            result = {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}}
        elif method == "getUpdates":
            offset = json.loads(body or b"{}").get("offset") or 0
            path = state / "commands"
            texts = path.read_text().splitlines() if path.exists() else []
            ann = {"id": 42, "is_bot": False, "first_name": "Ann"}
            result = [
                {"update_id": 1000 + i, "message": {"message_id": i, "from": ann,
                 "chat": {"id": 42, "type": "private"}, "date": 0, "text": text}}
                for i, text in enumerate(texts) if 1000 + i >= offset
            ]
        elif method == "setMyCommands":
            result = True
        elif method == "getWebhookInfo":
            result = {"url": "", "pending_update_count": 0}
        else:
            result = {"id": 1, "is_bot": True, "first_name": "e2e", "username": "e2e_bot"}
        answer = json.dumps({"ok": True, "result": result}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


servers = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), h) for h in (Site, Bot)]
print(*(s.server_address[1] for s in servers), flush=True)
for s in servers:
    threading.Thread(target=s.serve_forever, daemon=True).start()
sys.stdin.read()
