// Renderer entry: stores, the transport to the host, and the app.
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import './styles.css';
import { ACTIONS_KEY, createActions } from './actions';
import { installDebugHook } from './debug';
import { applyHostEvent } from './stores/dispatch';
import { useUiStore } from './stores/ui';
import { createTransport } from './transport';

const pinia = createPinia();
const app = createApp(App);
app.use(pinia);

const ui = useUiStore(pinia);
const transport = createTransport();
transport.onStatus((status) => ui.setConnection(status));
transport.subscribe(applyHostEvent);
app.provide(
  ACTIONS_KEY,
  createActions(transport, (level, message) => ui.notify(level, message)),
);

installDebugHook();
app.mount('#app');
transport.connect();
