-- A neutralized copy of the database must never push to or command the real Home Assistant.
UPDATE ha_instance
   SET secret = NULL,
       webhook_id = NULL,
       command_url = NULL,
       ha_url = NULL;
