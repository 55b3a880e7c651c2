/* global WebSocket */
// The JavaScript chat client example of seed 004 ("Chat WebSocket", "Client Example"), run against
// livegate by test/dialects/nadoo/seed-clients.test.ts in Node 20 with --experimental-websocket (the
// global WebSocket). The code between the SEED markers is the seed's, line for line (the seed test checks
// it against the seed document); the test puts the gateway's port and a real token in place of the
// seed's port (8000) and placeholder token before running it.
//
// The page leaves appendToResponse, showSources and showTypingIndicator to the application; these print.
const appendToResponse = (text) => process.stdout.write(text);
const showSources = (sources) => console.log(`\n[sources: ${sources.map((s) => s.title).join(", ")}]`);
const showTypingIndicator = (userId) => console.log(`[typing: ${userId}]`);

// The page's "Send a message" lines come right after `new WebSocket(...)`; sending on a socket that is
// still connecting throws InvalidStateError in every WebSocket implementation, so they run on open,
// unchanged, in sendPart() below.
function run(sendPart) {
  // SEED PART 1
  const sessionId = 'session-abc-123';
  const token = 'eyJhbGciOiJIUzI1NiIs...';
  const ws = new WebSocket(
    `ws://localhost:8000/ws/chat/${sessionId}?token=${token}`
  );
  ws.onopen = () => {
    console.log('Connected to chat');
  };
  ws.onmessage = (event) => {
    const data = JSON.parse(event.data);
    switch (data.type) {
      case 'connected':
        console.log('Session ready:', data.session_id);
        break;
      case 'response_start':
        console.log('AI is responding...');
        break;
      case 'text-delta':
        // Append each text chunk to the UI
        appendToResponse(data.text);
        break;
      case 'sources':
        showSources(data.sources);
        break;
      case 'response_end':
        console.log(`Done. Tokens: ${data.tokens_used}`);
        break;
      case 'typing':
        showTypingIndicator(data.user_id);
        break;
      case 'error':
        console.error('Error:', data.message);
        break;
    }
  };
  // END SEED PART 1
  ws.addEventListener('open', () => sendPart(ws));
  // Ends the run once the answer is complete (the page's keep-alive interval would keep it alive).
  ws.addEventListener('message', (event) => {
    if (JSON.parse(event.data).type === 'response_end') setTimeout(() => process.exit(0), 50);
  });
}

run((ws) => {
  // SEED PART 2
  // Send a message
  ws.send(JSON.stringify({
    type: 'chat',
    content: 'What were the key Q4 metrics?',
    application_id: 'app-uuid-123'
  }));
  // Send typing indicator
  ws.send(JSON.stringify({ type: 'typing' }));
  // Keep alive
  setInterval(() => {
    if (ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ type: 'ping' }));
    }
  }, 30000);
  // END SEED PART 2
});
