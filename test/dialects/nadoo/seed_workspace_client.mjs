/* global WebSocket */
// The JavaScript workspace example of seed 004 ("Workspace Collaboration WebSocket"), run against
// livegate by test/dialects/nadoo/seed-clients.test.ts in Node 20 with --experimental-websocket. The code
// between the SEED markers is the seed's, line for line; the test puts the gateway's port in place of
// the seed's 8000. The page leaves workspaceId, token, showToast and refreshDocumentList to the
// application: they come from the environment and print.
const workspaceId = process.env.WORKSPACE_ID;
const token = process.env.TOKEN;
const showToast = (text) => console.log(`toast: ${text}`);
const refreshDocumentList = () => console.log("refresh documents");

// The page's broadcast comes right after `new WebSocket(...)`; sending on a socket that is still
// connecting throws InvalidStateError, so it runs on open, unchanged, in sendPart() below.
function run(sendPart) {
  // SEED PART 1
  const ws = new WebSocket(
    `ws://localhost:8000/ws/workspaces/${workspaceId}?token=${token}`
  );
  ws.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.type === 'user_joined') {
      showToast(`${data.user_id} joined the workspace`);
    }
    if (data.type === 'document_updated') {
      refreshDocumentList();
    }
  };
  // END SEED PART 1
  ws.addEventListener('open', () => {
    sendPart(ws);
    console.log("sent");
  });
}

run((ws) => {
  // SEED PART 2
  // Broadcast a document update to other workspace members
  ws.send(JSON.stringify({
    type: 'document_updated',
    document_id: 'doc-456',
    action: 'edited'
  }));
  // END SEED PART 2
});
