/**
 * The public share page's script (`GET /s/:id`, no session): reads the page's data and turns its
 * track list into a player. Its own entry in the build (the server finds it in Vite's manifest
 * under `src/share/main.ts`), with its own CSS: nothing of Preact or of the app comes with it.
 */
import { SHARE_DATA_ELEMENT_ID, type SharePageData } from '@musicsharer/shared';
import { mountSharePage } from './view.js';
import './share.css';

const json = document.getElementById(SHARE_DATA_ELEMENT_ID)?.textContent;
if (json) mountSharePage(document, JSON.parse(json) as SharePageData);
