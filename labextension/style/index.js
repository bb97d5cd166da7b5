import '@xyflow/react/dist/style.css';
import './base.css';
import './editor.css';
import './debugger.css';
