-- 0026 kept sale_client_rollups_rebuild as a name for dashboard_rollups_rebuild while callers moved
-- over; nothing calls it any more (the loader, the CLI and the tests call dashboard_rollups_rebuild).
DROP FUNCTION IF EXISTS sale_client_rollups_rebuild(uuid);
