"""The Python client example of seed 004 ("Chat WebSocket", "Client Example"), run against livegate by
test/dialects/nadoo/seed-clients.test.ts.

`chat_client` is the seed's function line for line (the seed test checks it against the seed document).
Run: python3 seed_chat_client.py <port> <token>
"""
import asyncio
import inspect
import json
import sys

import websockets


async def chat_client():
    session_id = "session-abc-123"
    token = "eyJhbGciOiJIUzI1NiIs..."
    uri = f"ws://localhost:8000/ws/chat/{session_id}?token={token}"
    async with websockets.connect(uri) as ws:
        # Wait for connection confirmation
        response = await ws.recv()
        data = json.loads(response)
        print(f"Connected: {data}")
        # Send a message
        await ws.send(json.dumps({
            "type": "chat",
            "content": "Summarize the Q4 report",
            "application_id": "app-uuid-123"
        }))
        # Receive streamed response
        full_response = ""
        async for message in ws:
            data = json.loads(message)
            if data["type"] == "text-delta":
                full_response += data["text"]
                print(data["text"], end="", flush=True)
            elif data["type"] == "response_end":
                print(f"\n\nTokens used: {data['tokens_used']}")
                break
            elif data["type"] == "error":
                print(f"Error: {data['message']}")
                break


if __name__ == "__main__":
    port, token = sys.argv[1], sys.argv[2]
    # The seed hardcodes ws://localhost:8000 and a placeholder token ("eyJhbGciOiJIUzI1NiIs...", the first
    # bytes of any HS256 JWT, cut short). Tests run gateways side by side on free ports and need a real
    # token, so we take the function's own source, change those two literals (the port and the token) and
    # define it again from that text. Every other character runs exactly as the seed wrote it.
    source = inspect.getsource(chat_client)
    placeholder = '"eyJhbGciOiJIUzI1NiIs..."'
    assert source.count("localhost:8000") == 1, "the seed's URI literal should appear exactly once"
    assert source.count(placeholder) == 1, "the seed's token literal should appear exactly once"
    source = source.replace("localhost:8000", f"localhost:{port}").replace(placeholder, json.dumps(token))
    namespace = {"json": json, "websockets": websockets}
    exec(source, namespace)
    # The seed's last line: asyncio.run(chat_client())
    asyncio.run(namespace["chat_client"]())
