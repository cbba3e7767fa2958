import { describe, expect, it } from 'vitest';
import { locationLine } from './profile-panel.js';

const at = (p: Partial<Record<'neighbourhood' | 'city' | 'region' | 'country', string | null>>) =>
  locationLine({ neighbourhood: null, city: null, region: null, country: null, ...p });

describe('the location line of the profile', () => {
  it('joins neighbourhood, city, region and country in reading order', () => {
    expect(at({ neighbourhood: 'Triana', city: 'Sevilla', region: 'Andalucía', country: 'ES' })).toBe('Triana, Sevilla (Andalucía), ES');
  });

  it('does not repeat a region named like its city, and leaves out what is missing', () => {
    expect(at({ city: 'Madrid', region: 'Madrid', country: 'ES' })).toBe('Madrid, ES');
    expect(at({ region: 'Asturias' })).toBe('Asturias');
    expect(at({})).toBe('');
  });
});
