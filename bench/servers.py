#!/usr/bin/env python3
"""Loopback servers for the benchmark: HTTP sites answering 200 on every path, and ports
that accept connections (kernel backlog) but never answer, and a Bot API with no updates
that appends each method called to the file named by the first argument. Prints the
first site's port, the first hanging port, the lists of all site ports and all hanging
ports (comma separated): many targets spread over many hosts, as they are in life; then
the Bot API's port; then a fake Alertmanager's, which appends a line per post to
/api/v2/alerts to the file named by the second argument."""
import http.server
import socket
import sys
import threading


class Quiet(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = b"<html>Welcome</html>"
        if self.path.endswith(".json"):
            body = b'{"status":"ok","checks":{"db":{"healthy":true}},"version":"1.4"}'
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except BrokenPipeError:
            pass  # a probe may close once it has the status line

    def log_message(self, *args):
        pass


class BotApi(http.server.BaseHTTPRequestHandler):
    """getUpdates answers no update; every other method answers true."""
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        method = self.path.rsplit("/", 1)[-1]
        if len(sys.argv) > 1:
            with open(sys.argv[1], "a") as calls:
                calls.write(method + "\n")
        body = b'{"ok":true,"result":[]}' if method == "getUpdates" else b'{"ok":true,"result":true}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Alertmanager(http.server.BaseHTTPRequestHandler):
    """POST /api/v2/alerts answers 200, as Alertmanager does, and is counted."""
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        if len(sys.argv) > 2:
            with open(sys.argv[2], "a") as posts:
                posts.write(self.path + "\n")
        self.send_response(200 if self.path == "/api/v2/alerts" else 404)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 256  # 60 probes connect at once
    daemon_threads = True


SITES, HANGS = 20, 25
sites = [Server(("127.0.0.1", 0), Quiet) for _ in range(SITES)]
hangs = []
for _ in range(HANGS):
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(256)  # never accepted: connects succeed, nothing is ever answered
    hangs.append(hang)
site_ports = [s.server_address[1] for s in sites]
hang_ports = [h.getsockname()[1] for h in hangs]
bot = Server(("127.0.0.1", 0), BotApi)
am = Server(("127.0.0.1", 0), Alertmanager)
print(site_ports[0], hang_ports[0], ",".join(map(str, site_ports)), ",".join(map(str, hang_ports)),
      bot.server_address[1], am.server_address[1], flush=True)
for site in sites + [bot, am]:
    threading.Thread(target=site.serve_forever, daemon=True).start()
sys.stdin.read()  # until the benchmark closes our stdin
