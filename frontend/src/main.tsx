import { render } from 'preact';
import { App } from './app';
import { locale } from './i18n';
import { prefetchCalendar } from './pages/calendar';
import { loadSession, prefetchChannels } from './state';
import './styles.css';

document.documentElement.lang = locale();
if (location.pathname !== '/invite') {
  // Ask for what the calendar shows first while the session is checked (see prefetchCalendar).
  prefetchCalendar();
  prefetchChannels();
}
render(<App />, document.getElementById('app')!);
void loadSession();
