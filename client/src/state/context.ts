import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { AppState } from './app-state.js';

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('useApp() outside <AppContext.Provider>');
  return state;
}
