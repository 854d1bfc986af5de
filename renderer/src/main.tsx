import { StrictMode } from 'react';
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

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
