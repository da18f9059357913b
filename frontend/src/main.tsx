import { render } from 'preact';
import { App } from './app';
import { locale } from './i18n';
import { loadSession } from './state';
import './styles.css';

document.documentElement.lang = locale();
render(<App />, document.getElementById('app')!);
void loadSession();
