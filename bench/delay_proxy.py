"""A TCP relay that adds latency, for kernels without `tc netem` (sch_netem): LISTEN -> TARGET, every chunk
held DELAY_MS in each direction (so the round trip gains 2 x DELAY_MS), and a new connection's first bytes
held one more round trip, as a real TCP handshake would cost.

Bandwidth is not limited, unless WINDOW_BYTES is given: then each connection has at most that many bytes in
flight in each direction, a byte counting from when it is read until a round trip later (when its ACK would be
back), as a TCP window does: one connection then moves at most WINDOW_BYTES per round trip, and N connections
N times that. That is what limits one stream on a long path (the sender's buffer, or the window that loss lets
it keep), and what uploads in parallel parts work around.

usage: delay_proxy.py LISTEN_HOST:PORT TARGET_HOST:PORT DELAY_MS [WINDOW_BYTES]
"""
import asyncio
import sys

CHUNK = 256 * 1024
QUEUED_CHUNKS = 64  # at most 16 MB in flight per direction, about a fast link's window at this latency


async def pump(reader, writer, delay, not_before, window=0):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue(QUEUED_CHUNKS)
    in_flight = 0
    acked = asyncio.Event()

    def ack(count):
        nonlocal in_flight
        in_flight -= count
        acked.set()

    async def receive():
        nonlocal in_flight
        while True:
            while window and in_flight >= window:
                acked.clear()
                await acked.wait()
            data = await reader.read(min(CHUNK, window - in_flight) if window else CHUNK)
            if window and data:
                in_flight += len(data)
                loop.call_later(2 * delay, ack, len(data))
            await queue.put((max(loop.time() + delay, not_before), data))
            if not data:
                return

    async def send():
        while True:
            due, data = await queue.get()
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    try:
        await asyncio.gather(receive(), send())
    except (ConnectionError, OSError):
        pass


async def serve(listen, target, delay, window=0):
    # The running relays. asyncio holds a relay's task only until its client's connection is lost (and a
    # reader only weakly): a client that resets while the server is quiet left the relay waiting on the
    # server with nothing holding it, and the collector destroyed it ("Task was destroyed but it is pending").
    relays = set()

    async def relay(client_reader, client_writer):
        task = asyncio.current_task()
        relays.add(task)
        task.add_done_callback(relays.discard)
        accepted = asyncio.get_running_loop().time()
        try:
            server_reader, server_writer = await asyncio.open_connection(*target)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pump(client_reader, server_writer, delay, accepted + 3 * delay, window),
                             pump(server_reader, client_writer, delay, 0.0, window))
        for writer in (client_writer, server_writer):
            writer.close()

    server = await asyncio.start_server(relay, *listen, backlog=512)
    async with server:
        await server.serve_forever()


def address(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


if __name__ == "__main__":
    asyncio.run(serve(address(sys.argv[1]), address(sys.argv[2]), float(sys.argv[3]) / 1000,
                      int(sys.argv[4]) if len(sys.argv) > 4 else 0))
