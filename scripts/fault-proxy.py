#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for tests: forwards every request to a real S3 server unchanged (Host and all
headers, so SigV4 signatures still verify) and, at chosen rates, answers 503 SlowDown instead (half of them
with Retry-After: 1) or drops the connection after reading the request.

usage: fault-proxy.py --upstream HOST:PORT --port-file FILE --stats FILE [--slowdown RATE] [--drop RATE] [--seed N]
Writes its port to --port-file once listening, and one line per request to --stats: forwarded|slowdown|drop.
"""
import argparse
import http.client
import random
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOWDOWN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
            b'<Message>Please reduce your request rate.</Message><RequestId>fault-proxy</RequestId></Error>')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--stats", required=True)
    parser.add_argument("--slowdown", type=float, default=0.0)
    parser.add_argument("--drop", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    upstream_host, upstream_port = options.upstream.rsplit(":", 1)
    chance = random.Random(options.seed)
    lock = threading.Lock()
    stats = open(options.stats, "a", buffering=1)

    def record(what):
        with lock:
            stats.write(what + "\n")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def handle_one(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with lock:
                roll = chance.random()
            if roll < options.drop:
                record("drop")
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if roll < options.drop + options.slowdown:
                record("slowdown")
                self.send_response(503)
                if roll < options.drop + options.slowdown / 2:
                    self.send_header("Retry-After", "1")
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(SLOWDOWN)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(SLOWDOWN)
                return
            record("forwarded")
            upstream = http.client.HTTPConnection(upstream_host, int(upstream_port), timeout=60)
            upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                upstream.putheader(name, value)
            upstream.endheaders(body if body else None)
            response = upstream.getresponse()
            payload = response.read()
            self.send_response_only(response.status, response.reason)
            for name, value in response.getheaders():
                # A HEAD answer keeps the object's Content-Length; other bodies are re-sent whole.
                skipped = ("transfer-encoding", "connection") + (() if self.command == "HEAD" else ("content-length",))
                if name.lower() not in skipped:
                    self.send_header(name, value)
            if self.command != "HEAD":
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
            upstream.close()

        do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = handle_one

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(options.port_file, "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
