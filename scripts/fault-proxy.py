#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for tests: forwards every request to a real S3 server unchanged (Host and all
headers, so SigV4 signatures still verify) and, at chosen rates, misbehaves instead:

  --slowdown RATE   answer 503 SlowDown (half of them with Retry-After: 1)
  --drop RATE       read the whole request, then close the connection without an answer
  --cut RATE        read half of the request body, then close the connection
  --stall RATE      read the whole request, then say nothing for --stall-seconds (past the client's timeout)
  --hold SECONDS    wait this long before forwarding each request (to change a file while it is in flight)
  --slowdown-first N  answer the first N requests with 503 SlowDown and no Retry-After, as Ceph's RADOS
                    Gateway does when throttling (a busy hour's start), then go on as set above
  --slowdown-first-method M  count only requests of method M for --slowdown-first (HEAD: the pre-flight check)
  --cut-answer N    answer the first N GETs of an object (a path with a key, no query) whose body is over 1 KiB
                    with its status, its headers and half of its body, then close the connection (a download
                    cut midway)
  --complete-error N  answer the first N CompleteMultipartUpload requests (POST ...?uploadId=) with 200 and an
                    <Error> body (InternalError), as S3 does when the assembly fails after its answer began

SIGUSR1 makes the server "go away": from then on every request stalls until SIGUSR2 brings it back.

usage: fault-proxy.py --upstream HOST:PORT --port-file FILE --stats FILE [options]
Writes its port to --port-file once listening, and one line per request to --stats:
  TIME OUTCOME METHOD PATH STATUS
with OUTCOME one of forwarded, slowdown, slowdown-retry-after, drop, cut, stall, gone, complete-error, cut-answer, and STATUS the
server's answer to a forwarded request (- for the others).
"""
import argparse
import http.client
import random
import signal
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOWDOWN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
            b'<Message>Please reduce your request rate.</Message><RequestId>fault-proxy</RequestId></Error>')
# What S3 sends after the 200 and its keep-alive spaces when assembling the parts fails.
COMPLETE_ERROR = (b'   \n  \n<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code>'
                  b'<Message>We encountered an internal error. Please try again.</Message><RequestId>fault-proxy</RequestId></Error>')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--stats", required=True)
    for rate in ("slowdown", "drop", "cut", "stall"):
        parser.add_argument("--" + rate, type=float, default=0.0)
    parser.add_argument("--stall-seconds", type=float, default=5.0)
    parser.add_argument("--hold", type=float, default=0.0)
    parser.add_argument("--slowdown-first", type=int, default=0)
    parser.add_argument("--slowdown-first-method", default=None)
    parser.add_argument("--complete-error", type=int, default=0)
    parser.add_argument("--cut-answer", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    upstream_host, upstream_port = options.upstream.rsplit(":", 1)
    chance = random.Random(options.seed)
    lock = threading.Lock()
    stats = open(options.stats, "a", buffering=1)
    gone = threading.Event()
    throttled_start = [options.slowdown_first]
    complete_errors = [options.complete_error]
    cut_answers = [options.cut_answer]
    signal.signal(signal.SIGUSR1, lambda *_: gone.set())
    signal.signal(signal.SIGUSR2, lambda *_: gone.clear())

    # Cumulative thresholds: one roll picks at most one fault.
    faults = []
    total = 0.0
    for kind in ("drop", "cut", "stall", "slowdown"):
        total += getattr(options, kind)
        faults.append((total, kind))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def record(self, outcome, status="-"):
            with lock:
                stats.write(f"{time.time():.3f} {outcome} {self.command} {self.path} {status}\n")

        def hang_up(self):
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def handle_one(self):
            length = int(self.headers.get("Content-Length") or 0)
            with lock:
                roll = chance.random()
                kind = next((kind for limit, kind in faults if roll < limit), None)
                if throttled_start[0] > 0 and options.slowdown_first_method in (None, self.command):
                    throttled_start[0] -= 1
                    kind = "slowdown-first"
                if complete_errors[0] > 0 and self.command == "POST" and "uploadId=" in self.path:
                    complete_errors[0] -= 1
                    kind = "complete-error"
            if gone.is_set():
                kind = "gone"
            if kind == "cut" and length > 1:
                self.rfile.read(length // 2)
                self.record("cut")
                self.hang_up()
                return
            body = self.rfile.read(length) if length else b""
            if kind in ("stall", "gone"):
                self.record(kind)
                deadline = time.time() + options.stall_seconds
                while time.time() < deadline or gone.is_set():
                    time.sleep(0.05)
                self.hang_up()
                return
            if kind == "drop" or kind == "cut":  # a cut with no body to cut is a drop
                self.record(kind)
                self.hang_up()
                return
            if kind in ("slowdown", "slowdown-first"):
                with_retry_after = kind == "slowdown" and chance.random() < 0.5
                self.record("slowdown-retry-after" if with_retry_after else "slowdown")
                self.send_response(503)
                if with_retry_after:
                    self.send_header("Retry-After", "1")
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(SLOWDOWN)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(SLOWDOWN)
                return
            if kind == "complete-error":
                self.record("complete-error", "200")
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(COMPLETE_ERROR)))
                self.end_headers()
                self.wfile.write(COMPLETE_ERROR)
                return
            if options.hold:
                time.sleep(options.hold)
            started = time.time()
            upstream = http.client.HTTPConnection(upstream_host, int(upstream_port), timeout=60)
            upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                upstream.putheader(name, value)
            upstream.endheaders(body if body else None)
            response = upstream.getresponse()
            payload = response.read()
            cut_answer = False
            with lock:
                if (cut_answers[0] > 0 and self.command == "GET" and "?" not in self.path and self.path.count("/") > 1
                        and response.status in (200, 206) and len(payload) > 1024):
                    cut_answers[0] -= 1
                    cut_answer = True
                # logged with the time the request arrived, once the answer is known
                stats.write(f"{started:.3f} {'cut-answer' if cut_answer else 'forwarded'} {self.command} {self.path} {response.status}\n")
            self.send_response_only(response.status, response.reason)
            for name, value in response.getheaders():
                # A HEAD answer keeps the object's Content-Length; other bodies are re-sent whole.
                skipped = ("transfer-encoding", "connection") + (() if self.command == "HEAD" else ("content-length",))
                if name.lower() not in skipped:
                    self.send_header(name, value)
            if self.command != "HEAD":
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            try:
                if cut_answer:
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.hang_up()
                elif self.command != "HEAD":
                    self.wfile.write(payload)
            except OSError:
                self.close_connection = True  # the client gave up on this request (a timeout, or killed)
            upstream.close()

        do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = handle_one

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # a client that hung up (killed, or timed out) is part of every fault test, not news

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(options.port_file, "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
