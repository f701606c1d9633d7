/**
 * The public share page's script (`GET /s/:id`, no session): reads the page's data and turns its
 * track list into a player. Its own entry in the build (the server finds it in Vite's manifest
 * under `src/share/main.ts`), with its own CSS: nothing of Preact or of the app comes with it.
 */
import type { SHARE_DATA_ELEMENT_ID, SharePageData } from '@musicsharer/shared';
import { mountSharePage } from './view.js';
import './share.css';

/**
 * The contract's element id, checked against it by type: importing the value would make the
 * module shared with the app's share sheet, and Rollup would split it into a chunk of its own
 * that this page would have to fetch before it could start.
 */
const DATA_ELEMENT_ID: typeof SHARE_DATA_ELEMENT_ID = 'share-data';

const json = document.getElementById(DATA_ELEMENT_ID)?.textContent;
if (json) mountSharePage(document, JSON.parse(json) as SharePageData);
