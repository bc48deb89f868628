import { render } from 'preact';
import { adoptTokenFromFragment } from './api.ts';
import { App } from './app.tsx';
import { interceptLinks } from './router.ts';
import './style.css';

adoptTokenFromFragment();
const root = document.getElementById('app')!;
interceptLinks(document.body);
render(<App />, root);
