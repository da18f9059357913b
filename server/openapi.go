package server

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openapiJSON is the hand-written OpenAPI 3 description of the API. A test checks that every
// route the router serves is in it, so it cannot silently fall behind.
//
//go:embed openapi.json
var openapiJSON []byte

func (s *Server) openapi(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", openapiJSON)
}
