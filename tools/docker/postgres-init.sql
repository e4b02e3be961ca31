-- Each service owns its own database.
CREATE DATABASE keycard_auth;
CREATE DATABASE keycard_resource;
