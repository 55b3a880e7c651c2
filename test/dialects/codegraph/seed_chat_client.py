"""The Python client example of seed 000 ("Python Client Example"), run against livegate by
test/dialects/codegraph/seed-clients.test.ts.

`chat_client` is the seed's function line for line (the seed test checks it against the seed document).
Run: python3 seed_chat_client.py <port> <token> <query>
"""
import asyncio
import inspect
import json
import sys

import websockets


async def chat_client(token: str, query: str):
    uri = f"ws://localhost:8000/api/v1/ws/chat?token={token}"
    async with websockets.connect(uri) as ws:
        # Wait for connected message
        connected = json.loads(await ws.recv())
        assert connected["type"] == "connected"
        print(f"Connected: {connected['payload']['connection_id']}")

        # Send query
        await ws.send(json.dumps({
            "type": "chat.query",
            "payload": {"query": query},
            "request_id": "req-001"
        }))

        # Receive streaming response
        full_response = ""
        async for message in ws:
            data = json.loads(message)
            if data["type"] == "chat.chunk":
                content = data["payload"]["content"]
                full_response += content
                print(content, end="", flush=True)
            elif data["type"] == "chat.response":
                confidence = data["payload"]["confidence"]
                scenario = data["payload"]["scenario_id"]
                print(f"\n[scenario={scenario}, confidence={confidence}]")
            elif data["type"] == "chat.done":
                print("\n--- Response complete ---")
                break
            elif data["type"] == "error":
                print(f"Error: {data['payload']['error']}")
                break

    return full_response


if __name__ == "__main__":
    port, token, query = sys.argv[1], sys.argv[2], sys.argv[3]
    # The seed hardcodes ws://localhost:8000. Tests run gateways side by side on free ports, so a fixed
    # port is not an option. Rather than touch the function, or patch `websockets` underneath it, we
    # take the function's own source, change its one literal "localhost:8000" to the test gateway's
    # port, and define it again from that text. Every other character runs exactly as the seed wrote it.
    source = inspect.getsource(chat_client)
    assert source.count("localhost:8000") == 1, "the seed's URI literal should appear exactly once"
    namespace = {"json": json, "websockets": websockets}
    exec(source.replace("localhost:8000", f"localhost:{port}"), namespace)
    # The seed's usage line, with the token and question from the command line.
    result = asyncio.run(namespace["chat_client"](token, query))
    print("RETURNED " + json.dumps(result))
