import { AddDevice } from './AddDevice.js';
import { PasswordSettings } from './PasswordSettings.js';
import { Sessions } from './Sessions.js';

/**
 * The Devices view's access-control sections: who is signed in, adding a device, the password.
 * Loaded on the first visit to Devices, in a chunk of its own (with its CSS): the first screen
 * of the app never waits for it.
 */
export function Account() {
  return (
    <>
      <Sessions>
        <AddDevice />
      </Sessions>
      <PasswordSettings />
    </>
  );
}
