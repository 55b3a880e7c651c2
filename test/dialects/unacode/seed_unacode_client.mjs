/* global WebSocket */
// The JavaScript example of seed 001 ("JavaScript Example"), run against livegate by
// test/dialects/unacode/seed-client.test.ts in Node 20 with --experimental-websocket (the global
// WebSocket). The class is the seed's, line for line (the test checks it against the seed document); the
// test puts the test gateway's port in place of 8765 in its one URL literal before running it.

class UnaCODEWebSocket {
  constructor() {
    this.ws = new WebSocket('ws://localhost:8765');
    this.ws.onmessage = this.handleMessage.bind(this);
    this.ws.onopen = this.onConnect.bind(this);
  }

  onConnect() {
    // Send heartbeat every 30 seconds
    setInterval(() => {
      this.send({ type: 'heartbeat' });
    }, 30000);
  }

  handleMessage(event) {
    const message = JSON.parse(event.data);
    console.log('Received:', message);

    switch(message.type) {
      case 'orchestrator_status':
        this.handleOrchestratorUpdate(message.payload);
        break;
      case 'user_notification':
        if (message.payload.chat_message) {
          this.handleChatMessage(message.payload.chat_message);
        }
        break;
    }
  }

  send(data) {
    this.ws.send(JSON.stringify({
      id: this.generateId(),
      timestamp: new Date().toISOString(),
      ...data
    }));
  }

  startChat() {
    this.send({
      type: 'chat',
      action: 'start_conversation'
    });
  }

  sendChatMessage(conversationId, content) {
    this.send({
      type: 'chat',
      action: 'send_message',
      conversation_id: conversationId,
      content: content
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// The harness, not the seed's. The seed's class calls three methods it does not define (generateId,
// handleChatMessage, handleOrchestratorUpdate): an application supplies them, as this subclass does, and
// reports what they receive on stdout as `EVENT <json>` lines for the test. It also:
// - authenticates the way the seed's "Authentication" section allows for a class that takes no token:
//   an auth message sent after connecting, through the class's own send();
// - makes the class's own 30-second heartbeat timer fire every HEARTBEAT_MS, so the test need not wait
//   30 s (only timers of exactly 30000 ms are shortened);
// - drives the conversation with the class's own startChat() and sendChatMessage(), reading the
//   conversation id from the start_conversation reply (the seed's switch has no case for it).
const { UNACODE_TOKEN, UNACODE_QUESTION } = process.env;
const HEARTBEAT_MS = Number(process.env.UNACODE_HEARTBEAT_MS ?? 100);
const realSetInterval = globalThis.setInterval;
globalThis.setInterval = (fn, ms, ...args) => realSetInterval(fn, ms === 30000 ? HEARTBEAT_MS : ms, ...args);

const report = (what, data) => process.stdout.write(`EVENT ${JSON.stringify({ what, data })}\n`);
let ids = 0;

class App extends UnaCODEWebSocket {
  generateId() {
    return `msg_${++ids}`;
  }

  onConnect() {
    super.onConnect();
    report('open', null);
    this.send({ type: 'auth', payload: { token: UNACODE_TOKEN } });
  }

  handleMessage(event) {
    const message = JSON.parse(event.data);
    report('message', message);
    if (message.type === 'error') {
      report('failed', message.payload);
      process.exit(2);
    }
    if (message.type === 'heartbeat' && !this.chatStarted) {
      this.chatStarted = true;
      this.startChat();
    }
    if (message.type === 'chat' && message.payload.action === 'start_conversation') {
      this.sendChatMessage(message.payload.conversation_id, UNACODE_QUESTION);
    }
    super.handleMessage(event);
  }

  handleChatMessage(chatMessage) {
    report('chat_message', chatMessage);
    report('ready_for_orchestrator_status', null);
  }

  handleOrchestratorUpdate(payload) {
    report('orchestrator_status', payload);
    this.ws.close();
    process.exit(0);
  }
}

new App();
