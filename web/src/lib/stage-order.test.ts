import { describe, expect, it } from 'vitest';
import { moveStage } from './stage-order.js';

describe('moveStage', () => {
  it('moves a stage one place down and one place up', () => {
    expect(moveStage(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveStage(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
  });
  it('keeps the first stage first when moved up and the last last when moved down', () => {
    expect(moveStage(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveStage(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });
  it('leaves the order alone for an index outside the list and never mutates its input', () => {
    const ids = ['a', 'b'];
    expect(moveStage(ids, 5, -1)).toEqual(['a', 'b']);
    moveStage(ids, 0, 1);
    expect(ids).toEqual(['a', 'b']);
  });
});
