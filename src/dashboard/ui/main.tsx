// Entry point: mounts the app. Styles are bundled beside it by esbuild.
import './styles.css';
import { render } from 'preact';
import { App } from './app.tsx';

render(<App />, document.getElementById('app')!);
