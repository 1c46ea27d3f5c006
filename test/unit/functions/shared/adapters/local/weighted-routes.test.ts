import { describe, expect, it } from 'vitest';
import {
  releaseCookie,
  WeightedRoutes,
} from '../../../../../../functions/shared/adapters/local/weighted-routes.js';

const baseline = { port: 1001, version: 'r1' };
const canary = { port: 1002, version: 'r2' };

describe('WeightedRoutes', () => {
  it.each([1, 10, 33, 50, 99])('sends exactly %i of every 100 unpinned requests to the canary', (percent) => {
    // Arrange
    const routes = new WeightedRoutes();
    routes.set({ baseline, canary, canaryPercent: percent, sticky: false });
    // Act
    const picks = Array.from({ length: 100 }, () => routes.choose(undefined)?.target.version);
    // Assert
    expect(picks.filter((v) => v === 'r2')).toHaveLength(percent);
  });

  it('routes a client pinned to a canary at 0% to the baseline and pins it there', () => {
    // Arrange
    const routes = new WeightedRoutes();
    routes.set({ baseline, canary, canaryPercent: 0, sticky: true });
    // Act
    const choice = routes.choose('r2');
    // Assert
    expect(choice).toEqual({ target: baseline, pin: 'r1' });
  });

  it('routes by weight again when the pinned release no longer runs', () => {
    // Arrange
    const routes = new WeightedRoutes();
    routes.set({ baseline, canary, canaryPercent: 100, sticky: true });
    // Act
    const choice = routes.choose('r0-gone');
    // Assert
    expect(choice).toEqual({ target: canary, pin: 'r2' });
  });

  it.each([
    [
      { baseline, canary, canaryPercent: 101, sticky: false },
      'canary percent must be an integer from 0 to 100, got 101',
    ],
    [{ baseline, canaryPercent: 10, sticky: false }, 'canary percent is 10 but no canary is running'],
  ])('throws and keeps the previous routes for %j', (bad, message) => {
    // Arrange
    const routes = new WeightedRoutes();
    routes.set({ baseline, canary, canaryPercent: 20, sticky: false });
    // Act
    const attempt = () => routes.set(bad);
    // Assert
    expect(attempt).toThrow(message);
    expect(routes.current.canaryPercent).toBe(20);
  });
});

describe('releaseCookie', () => {
  it.each([
    ['a=1; tollgate-release=r2-bbbbbbb; b=2', 'r2-bbbbbbb'],
    ['tollgate-release=r1%2Dx', 'r1-x'],
    ['other=1', undefined],
    ['tollgate-release=%E0%A4%A', undefined],
    [undefined, undefined],
  ])('reads %s as %s', (header, expected) => {
    // Arrange
    // Act
    const value = releaseCookie(header);
    // Assert
    expect(value).toBe(expected);
  });
});
