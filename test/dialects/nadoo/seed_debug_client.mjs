/* global WebSocket */
// The JavaScript plugin debug example of seed 004 ("Plugin Debug WebSocket"), run against livegate by
// test/dialects/nadoo/seed-clients.test.ts in Node 20 with --experimental-websocket. The code between
// the SEED markers is the seed's, line for line; the test puts the gateway's port in place of the seed's
// 8000 and a real execution id in place of its placeholder. The page leaves appendToDebugConsole,
// highlightStep and updateVariableInspector to the application: these print.
const appendToDebugConsole = (data) => console.log(`console: ${JSON.stringify(data)}`);
const highlightStep = (data) => console.log(`step: ${JSON.stringify(data)}`);
const updateVariableInspector = (data) => console.log(`variable: ${JSON.stringify(data)}`);

// SEED
const execId = 'exec-uuid-123';
const ws = new WebSocket(
  `ws://localhost:8000/api/v1/ws/plugin/debug/${execId}`
);
ws.onmessage = (event) => {
  const data = JSON.parse(event.data);
  switch (data.type) {
    case 'execution_info':
      console.log(`Debugging: ${data.data.tool_name}`);
      break;
    case 'log':
      appendToDebugConsole(data.data);
      break;
    case 'step':
      highlightStep(data.data);
      break;
    case 'variable':
      updateVariableInspector(data.data);
      break;
    case 'execution_complete':
      console.log('Execution finished:', data.data.result);
      break;
    case 'execution_error':
      console.error('Execution failed:', data.data.error);
      break;
  }
};
// Keep-alive ping
setInterval(() => {
  if (ws.readyState === WebSocket.OPEN) {
    ws.send('ping'); // Server responds with 'pong'
  }
}, 30000);
// END SEED
