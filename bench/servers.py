#!/usr/bin/env python3
"""Loopback servers for the benchmark: an HTTP site answering 200 on every path, and a
port that accepts connections (kernel backlog) but never answers. Prints both ports."""
import http.server
import socket
import sys
import threading


class Quiet(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = b"<html>Welcome</html>"
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except BrokenPipeError:
            pass  # a probe may close once it has the status line

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 256  # 60 probes connect at once
    daemon_threads = True


site = Server(("127.0.0.1", 0), Quiet)
hang = socket.socket()
hang.bind(("127.0.0.1", 0))
hang.listen(256)  # never accepted: connects succeed, nothing is ever answered
print(site.server_address[1], hang.getsockname()[1], flush=True)
threading.Thread(target=site.serve_forever, daemon=True).start()
sys.stdin.read()  # until the benchmark closes our stdin
