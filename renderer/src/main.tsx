import { StrictMode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { setTransport } from './api/client.js';
import { App } from './App.js';
import { pickTransport } from './platform/transport.js';
import { subscribePrompts } from './stores/prompts.js';
import { subscribeJournal } from './stores/run.js';
import './styles.css';

setTransport(pickTransport());
subscribePrompts();
subscribeJournal();

// The first screen renders in this task, effects included (a sync render flushes them at commit):
// no scheduler round-trip and no paint of an empty page in between. Nothing here waits for the
// bridge: the WebSocket opens in the background and the Start step's calls wait for it.
const root = createRoot(document.getElementById('root')!);
flushSync(() =>
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
