import { render } from 'preact';
import { adoptTokenFromFragment } from './api.ts';
import { App } from './app.tsx';
import { interceptLinks } from './router.ts';
import { carryRange } from './time-range.ts';
import './style.css';

adoptTokenFromFragment();
const root = document.getElementById('app')!;
// A link between the alerts, search, entity and dashboard pages keeps the time range.
interceptLinks(document.body, carryRange);
render(<App />, root);
