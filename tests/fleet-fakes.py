#!/usr/bin/env python3
"""Fakes for the fleet end-to-end test (tests/fleet-e2e.sh), on loopback only: a site
that answers GET /CHECKER/TARGET with the status in DIR/status/CHECKER-TARGET (200 when
there is none), so that each checker can see its own outage; and a Bot API, the one
Alertmanager's Telegram receiver talks to (its api_url), that appends every sendMessage
as a JSON line {"at": seconds since the epoch, "chat_id", "text"} to DIR/sent.jsonl.
Writes the two ports to DIR/ports ("SITE BOT") once listening; runs until killed."""
import http.server
import json
import pathlib
import socketserver
import sys
import threading
import time
import urllib.parse

state = pathlib.Path(sys.argv[1])
lock = threading.Lock()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


class Site(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        name = self.path.strip("/").replace("/", "-")
        path = state / "status" / name
        status = int(path.read_text().strip()) if path.exists() else 200
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
        kind = self.headers.get("content-type", "")
        if kind.startswith("application/json"):
            fields = json.loads(body or b"{}")
        else:
            fields = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
        chat = {"id": int(fields.get("chat_id", 0)), "type": "group", "title": "ops"}
        if method == "sendMessage":
            line = {"at": time.time(), "chat_id": chat["id"], "text": fields.get("text", "")}
            with lock, open(state / "sent.jsonl", "a") as f:
                f.write(json.dumps(line) + "\n")
            result = {"message_id": 1, "date": int(time.time()), "chat": chat,
                      "text": fields.get("text", "")}
        elif method == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "fleet", "username": "fleet_bot"}
        else:
            self.send_response(404)
            self.end_headers()
            return
        answer = json.dumps({"ok": True, "result": result}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


site = Server(("127.0.0.1", 0), Site)
bot = Server(("127.0.0.1", 0), Bot)
for server in (site, bot):
    threading.Thread(target=server.serve_forever, daemon=True).start()
(state / "ports.tmp").write_text(f"{site.server_address[1]} {bot.server_address[1]}\n")
(state / "ports.tmp").rename(state / "ports")
threading.Event().wait()
