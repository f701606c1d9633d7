import { useEffect, useState } from 'preact/hooks';
import { DATA_SAVER_BITRATE, type Device } from '@musicsharer/shared';
import { devicePosition } from '../../state/app-state.js';
import { useApp } from '../../state/context.js';
import { formatTime } from '../../state/format.js';
import { useModule } from '../../state/use-module.js';
import { Icon } from '../Icon/Icon.js';
import switches from '../../styles/switch.module.css';
import styles from './Devices.module.css';

const loadAccount = () => import('./Account.js');

/** The access-control sections, once their chunk is in. */
function LazyAccount() {
  const loaded = useModule(loadAccount);
  if (loaded === 'failed') return <p class={styles.hint}>Could not load the signed-in devices. Reload the page to try again.</p>;
  return loaded ? <loaded.Account /> : null;
}

const CONNECTION_TEXT = { open: 'Live', connecting: 'Connecting…', closed: 'Offline, reconnecting…' } as const;

function DeviceButton({ device, now }: { device: Device; now: number }) {
  const { listenAlong } = useApp();
  const playing = device.trackId !== null;
  return (
    <button type="button" class={styles.device} data-device-id={device.deviceId} disabled={!playing} onClick={() => listenAlong(device)}>
      <Icon name="devices" />
      <span class={styles.text}>
        <span class={styles.name}>{device.name}</span>
        <span class={styles.track}>
          {playing ? [device.title ?? 'Unknown track', device.artist].filter(Boolean).join(' — ') : 'Not playing'}
        </span>
        {playing && (
          <span class={styles.state}>
            {device.paused ? 'Paused' : 'Playing'} · {formatTime(devicePosition(device, now))}
          </span>
        )}
      </span>
    </button>
  );
}

/** This device's playback settings (remembered here, not on the server). */
function DataSaver() {
  const playback = useApp().playback.value;
  if (!playback) return null;
  return (
    <section class={styles.settings} aria-labelledby="playback-heading">
      <h2 id="playback-heading" class={styles.settingsTitle}>
        Playback on this device
      </h2>
      <label class={styles.switchRow}>
        <span class={styles.text}>
          <span class={styles.name}>Data saver</span>
          <span class={styles.hint}>
            For mobile data or a tunnel: tracks above {DATA_SAVER_BITRATE} kbit/s stream as {DATA_SAVER_BITRATE} kbit/s MP3.
          </span>
        </span>
        <input
          type="checkbox"
          role="switch"
          class={switches.switch}
          checked={playback.dataSaver.value}
          onChange={(event) => playback.setDataSaver(event.currentTarget.checked)}
        />
      </label>
    </section>
  );
}

/**
 * What the user's other devices play, live; tapping one plays the same track here from where it
 * is. The way to the shared links. With access control on: the signed-in devices, adding one,
 * and the password.
 */
export function Devices() {
  const { nowPlaying, auth, navigation } = useApp();
  const devices = nowPlaying.devices.value;
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  return (
    <div class={styles.page} data-scroller>
      <h1 class={styles.heading}>Devices</h1>
      <p class={styles.me}>
        This device: <strong>{nowPlaying.name}</strong>{' '}
        <span class={styles.connection} data-state={nowPlaying.connection.value} role="status">
          {CONNECTION_TEXT[nowPlaying.connection.value]}
        </span>
      </p>
      {devices.length === 0 ? (
        <p class={styles.empty}>No other devices right now. Open musicsharer on another phone or computer and it shows up here.</p>
      ) : (
        <ul class={styles.list}>
          {devices.map((device) => (
            <li key={device.deviceId}>
              <DeviceButton device={device} now={now} />
            </li>
          ))}
        </ul>
      )}
      {devices.length > 0 && <p class={styles.hint}>Tap a device to listen along here.</p>}
      {/* Above the account sections: their lists arriving cannot move it from under a tap. */}
      <button type="button" class={styles.sharedLinks} onClick={() => navigation.open({ name: 'shares' })}>
        <Icon name="share" />
        <span class={styles.name}>Shared links</span>
        <Icon name="forward" />
      </button>
      <DataSaver />
      {auth.info.value?.auth && <LazyAccount />}
    </div>
  );
}
