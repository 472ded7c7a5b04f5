// The paths of the screens, as the product's guide writes them
// (app.keebai.com/system-settings/api-keys).
export const API_KEYS = '/system-settings/api-keys';
export const SETTINGS = '/settings';
export const SYSTEM_SETTINGS = '/system-settings';
export const ROTATION = '/rotation';
export const ACTIVITY = '/activity';
export const INVENTORY = '/inventory';
export const ROLES = '/system-settings/roles';
export const USERS = '/system-settings/users';
export const TOKEN_POLICY = '/system-settings/token-policy';
export const AUDIT = '/audit';
