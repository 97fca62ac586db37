// Leaflet plugins written for a global `L` (leaflet.heat, leaflet.markercluster) find it here; imported first.
import L from 'leaflet';
window.L = L;
export default L;
