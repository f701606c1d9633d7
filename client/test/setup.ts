import { cleanup, configure } from '@testing-library/preact';
import { afterEach } from 'vitest';

// findBy*/waitFor wait longer than the default second: the suite shares two cores.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => cleanup());
