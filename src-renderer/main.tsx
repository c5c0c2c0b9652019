/** Renderer entry: pick the transport, wire it to the store, render. Same bundle for Electron and browser. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App';
import { AppProvider } from './context';
import { createLink } from './store/link';
import { createGlasspaneStore } from './store/store';
import { selectTransport } from './transport/select-transport';
import './styles.css';

const store = createGlasspaneStore();
const link = createLink(selectTransport(), store);

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <AppProvider store={store} link={link}>
        <App />
      </AppProvider>
    </StrictMode>,
  );
}
