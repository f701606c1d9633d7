import { render } from 'preact';
import { App } from './app.js';
import { createAppState } from './state/app-state.js';
import './styles/global.css';

// The one <audio> element lives in index.html, outside what Preact renders, for the page's whole life.
const audio = document.querySelector('audio') ?? document.body.appendChild(document.createElement('audio'));
const state = createAppState({ audio });
render(<App state={state} />, document.getElementById('app')!);
void state.start();
