import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// findBy*/waitFor wait up to 1 s by default; on a loaded 2-core CI machine a step's first render
// (lazy chunks, jsdom layout) was seen to take longer, so they wait up to 10 s (still fail when absent).
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  cleanup();
  localStorage.clear();
});
