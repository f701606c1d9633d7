import { fireEvent, render } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { Cover } from './Cover.js';

describe('Cover', () => {
  it('shows the thumbnail at the asked size, lazily', () => {
    const { container } = render(<Cover url="/cover/a1" title="Blue Train" size={256} />);
    const img = container.querySelector('img')!;
    expect(img.getAttribute('src')).toBe('/cover/a1?size=256');
    expect(img.getAttribute('loading')).toBe('lazy');
    expect(img.getAttribute('alt')).toBe('');
  });

  it('shows a placeholder with initials when there is no cover or it fails', () => {
    const none = render(<Cover url={null} title="Blue Train" size={96} />);
    expect(none.container.textContent).toBe('BT');
    const broken = render(<Cover url="/cover/x" title="kind of blue" size={96} />);
    fireEvent.error(broken.container.querySelector('img')!);
    expect(broken.container.querySelector('img')).toBeNull();
    expect(broken.container.textContent).toBe('KO');
  });
});
