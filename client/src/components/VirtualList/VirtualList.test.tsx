import { act, fireEvent, render } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { VirtualList } from './VirtualList.js';

function setViewport(el: HTMLElement, height: number, scrollTop: number) {
  Object.defineProperty(el, 'clientHeight', { value: height, configurable: true });
  el.scrollTop = scrollTop;
}

describe('VirtualList', () => {
  it('renders only the rows on screen out of 20,000', () => {
    const { container } = render(<VirtualList count={20_000} rowHeight={50} overscan={5} renderRow={(i) => <button type="button">Row {i}</button>} />);
    const buttons = container.querySelectorAll('button');
    expect(buttons.length).toBeGreaterThan(10);
    expect(buttons.length).toBeLessThan(40);
    expect(buttons[0]!.textContent).toBe('Row 0');
    // The spacer keeps the full scroll height.
    expect((container.querySelector('[style*="height: 1000000px"]') as HTMLElement | null)).not.toBeNull();
  });

  it('follows the scroll position', () => {
    const { container } = render(<VirtualList count={20_000} rowHeight={50} overscan={2} renderRow={(i) => <span class="cell">Row {i}</span>} />);
    const scroller = container.firstElementChild as HTMLElement;
    setViewport(scroller, 500, 10_000 * 50);
    fireEvent.scroll(scroller);
    const cells = [...container.querySelectorAll('.cell')].map((c) => c.textContent);
    expect(cells[0]).toBe('Row 9998');
    expect(cells.at(-1)).toBe('Row 10011');
    expect(cells).toHaveLength(14);
    const window = scroller.querySelector('[style*="translateY"]') as HTMLElement;
    expect(window.style.transform).toBe(`translateY(${9998 * 50}px)`);
  });

  it('keeps the scroll position of a list left and come back to', () => {
    const list = () => <VirtualList count={1000} rowHeight={50} persistKey="test" renderRow={(i) => <span>Row {i}</span>} />;
    const first = render(list());
    const scroller = first.container.firstElementChild as HTMLElement;
    scroller.scrollTop = 2500;
    first.unmount();
    const second = render(list());
    expect((second.container.firstElementChild as HTMLElement).scrollTop).toBe(2500);
  });

  it('copes with the list shrinking under the window', async () => {
    const { container, rerender } = render(<VirtualList count={1000} rowHeight={50} renderRow={(i) => <span class="cell">Row {i}</span>} />);
    const scroller = container.firstElementChild as HTMLElement;
    setViewport(scroller, 500, 40_000);
    fireEvent.scroll(scroller);
    scroller.scrollTop = 0;
    await act(() => rerender(<VirtualList count={3} rowHeight={50} renderRow={(i) => <span class="cell">Row {i}</span>} />));
    expect([...container.querySelectorAll('.cell')].map((c) => c.textContent)).toEqual(['Row 0', 'Row 1', 'Row 2']);
  });
});
